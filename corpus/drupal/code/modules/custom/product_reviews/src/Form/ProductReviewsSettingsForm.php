<?php

declare(strict_types=1);

namespace Drupal\product_reviews\Form;

use Drupal\Core\Config\ConfigFactoryInterface;
use Drupal\Core\Config\TypedConfigManagerInterface;
use Drupal\Core\Entity\EntityTypeManagerInterface;
use Drupal\Core\Form\ConfigFormBase;
use Drupal\Core\Form\FormStateInterface;
use Drupal\Core\Session\AccountInterface;
use Symfony\Component\DependencyInjection\ContainerInterface;

/**
 * Configures the review block list, page size and trusted reviewer role.
 */
final class ProductReviewsSettingsForm extends ConfigFormBase {

  /**
   * Constructs a new ProductReviewsSettingsForm object.
   */
  public function __construct(
    ConfigFactoryInterface $config_factory,
    TypedConfigManagerInterface $typed_config_manager,
    private readonly EntityTypeManagerInterface $entityTypeManager,
  ) {
    parent::__construct($config_factory, $typed_config_manager);
  }

  /**
   * {@inheritdoc}
   */
  public static function create(ContainerInterface $container): static {
    return new static(
      $container->get('config.factory'),
      $container->get('config.typed'),
      $container->get('entity_type.manager'),
    );
  }

  /**
   * {@inheritdoc}
   */
  public function getFormId(): string {
    return 'product_reviews_settings';
  }

  /**
   * {@inheritdoc}
   */
  protected function getEditableConfigNames(): array {
    return ['product_reviews.settings'];
  }

  /**
   * {@inheritdoc}
   */
  public function buildForm(array $form, FormStateInterface $form_state): array {
    $config = $this->config('product_reviews.settings');
    $roles = [];
    foreach ($this->entityTypeManager->getStorage('user_role')->loadMultiple() as $role) {
      if (!in_array($role->id(), [AccountInterface::ANONYMOUS_ROLE, AccountInterface::AUTHENTICATED_ROLE], TRUE)) {
        $roles[$role->id()] = $role->label();
      }
    }

    $form['blocked_words'] = [
      '#type' => 'textarea',
      '#title' => $this->t('Blocked words'),
      '#description' => $this->t('One word per line. Reviews containing any of them cannot be saved.'),
      '#default_value' => implode("\n", $config->get('blocked_words') ?? []),
      '#rows' => 6,
    ];
    $form['reviews_per_page'] = [
      '#type' => 'number',
      '#title' => $this->t('Reviews per page'),
      '#min' => 1,
      '#max' => 50,
      '#default_value' => $config->get('reviews_per_page'),
    ];
    $form['auto_approve_role'] = [
      '#type' => 'select',
      '#title' => $this->t('Publish reviews without moderation for'),
      '#options' => $roles,
      '#empty_option' => $this->t('- Nobody: moderate every review -'),
      '#default_value' => $config->get('auto_approve_role'),
    ];
    return parent::buildForm($form, $form_state);
  }

  /**
   * {@inheritdoc}
   */
  public function validateForm(array &$form, FormStateInterface $form_state): void {
    foreach ($this->parseWords((string) $form_state->getValue('blocked_words')) as $word) {
      if (preg_match('/\s/u', $word)) {
        $form_state->setErrorByName('blocked_words', $this->t('%entry contains a space; enter single words only.', ['%entry' => $word]));
      }
    }
    parent::validateForm($form, $form_state);
  }

  /**
   * {@inheritdoc}
   */
  public function submitForm(array &$form, FormStateInterface $form_state): void {
    $this->config('product_reviews.settings')
      ->set('blocked_words', $this->parseWords((string) $form_state->getValue('blocked_words')))
      ->set('reviews_per_page', (int) $form_state->getValue('reviews_per_page'))
      ->set('auto_approve_role', (string) $form_state->getValue('auto_approve_role'))
      ->save();
    parent::submitForm($form, $form_state);
  }

  /**
   * Splits the textarea into unique, trimmed, lower-case words.
   */
  private function parseWords(string $input): array {
    $words = array_map(static fn(string $word): string => mb_strtolower(trim($word)), preg_split('/\R/u', $input) ?: []);
    return array_values(array_unique(array_filter($words, static fn(string $word): bool => $word !== '')));
  }

}
