<?php

declare(strict_types=1);

namespace Drupal\faq_manager\Form;

use Drupal\Core\Config\ConfigFactoryInterface;
use Drupal\Core\Config\TypedConfigManagerInterface;
use Drupal\Core\Entity\EntityTypeManagerInterface;
use Drupal\Core\Form\ConfigFormBase;
use Drupal\Core\Form\FormStateInterface;
use Symfony\Component\DependencyInjection\ContainerInterface;

/**
 * Configures the FAQ page title, category vocabulary and voting.
 */
final class FaqSettingsForm extends ConfigFormBase {

  /**
   * Constructs a new FaqSettingsForm object.
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
    return 'faq_manager_settings';
  }

  /**
   * {@inheritdoc}
   */
  protected function getEditableConfigNames(): array {
    return ['faq_manager.settings'];
  }

  /**
   * {@inheritdoc}
   */
  public function buildForm(array $form, FormStateInterface $form_state): array {
    $vocabularies = [];
    foreach ($this->entityTypeManager->getStorage('taxonomy_vocabulary')->loadMultiple() as $vocabulary) {
      $vocabularies[$vocabulary->id()] = $vocabulary->label();
    }

    $form['overview_title'] = [
      '#type' => 'textfield',
      '#title' => $this->t('Page title'),
      '#required' => TRUE,
      '#config_target' => 'faq_manager.settings:overview_title',
    ];
    $form['category_vocabulary'] = [
      '#type' => 'select',
      '#title' => $this->t('Category vocabulary'),
      '#description' => $this->t('FAQ entries are grouped by the terms of this vocabulary.'),
      '#options' => $vocabularies,
      '#required' => TRUE,
      '#config_target' => 'faq_manager.settings:category_vocabulary',
    ];
    $form['items_per_category'] = [
      '#type' => 'number',
      '#title' => $this->t('Questions per category'),
      '#min' => 1,
      '#max' => 100,
      '#config_target' => 'faq_manager.settings:items_per_category',
    ];
    $form['enable_voting'] = [
      '#type' => 'checkbox',
      '#title' => $this->t('Ask visitors whether an answer was helpful'),
      '#config_target' => 'faq_manager.settings:enable_voting',
    ];
    $form['show_vote_counts'] = [
      '#type' => 'checkbox',
      '#title' => $this->t('Show how many visitors found an answer helpful'),
      '#config_target' => 'faq_manager.settings:show_vote_counts',
      '#states' => [
        'visible' => [':input[name="enable_voting"]' => ['checked' => TRUE]],
      ],
    ];
    return parent::buildForm($form, $form_state);
  }

  /**
   * {@inheritdoc}
   */
  public function validateForm(array &$form, FormStateInterface $form_state): void {
    $vocabulary = $form_state->getValue('category_vocabulary');
    $terms = $this->entityTypeManager->getStorage('taxonomy_term')->getQuery()
      ->accessCheck(FALSE)
      ->condition('vid', $vocabulary)
      ->count()
      ->execute();
    if ((int) $terms === 0) {
      $form_state->setErrorByName('category_vocabulary', $this->t('The vocabulary %vocabulary has no terms yet. Add at least one category first.', [
        '%vocabulary' => $form['category_vocabulary']['#options'][$vocabulary] ?? $vocabulary,
      ]));
    }
    parent::validateForm($form, $form_state);
  }

  /**
   * {@inheritdoc}
   */
  public function submitForm(array &$form, FormStateInterface $form_state): void {
    // The #config_target elements are saved by the parent; the page title is
    // part of the cached FAQ page render array.
    parent::submitForm($form, $form_state);
    $this->messenger()->addStatus($this->t('The FAQ page now lists up to @count questions per category.', [
      '@count' => $form_state->getValue('items_per_category'),
    ]));
  }

}
