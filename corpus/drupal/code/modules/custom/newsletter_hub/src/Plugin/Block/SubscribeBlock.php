<?php

declare(strict_types=1);

namespace Drupal\newsletter_hub\Plugin\Block;

use Drupal\Core\Block\Attribute\Block;
use Drupal\Core\Block\BlockBase;
use Drupal\Core\Form\FormBuilderInterface;
use Drupal\Core\Form\FormStateInterface;
use Drupal\Core\Plugin\ContainerFactoryPluginInterface;
use Drupal\Core\StringTranslation\TranslatableMarkup;
use Drupal\newsletter_hub\Form\SubscribeForm;
use Symfony\Component\DependencyInjection\ContainerInterface;

/**
 * A sign-up panel with a short pitch and the subscription form.
 */
#[Block(
  id: 'newsletter_hub_subscribe',
  admin_label: new TranslatableMarkup('Newsletter sign-up'),
  category: new TranslatableMarkup('Newsletter'),
)]
class SubscribeBlock extends BlockBase implements ContainerFactoryPluginInterface {

  public function __construct(
    array $configuration,
    $plugin_id,
    $plugin_definition,
    protected readonly FormBuilderInterface $formBuilder,
  ) {
    parent::__construct($configuration, $plugin_id, $plugin_definition);
  }

  /**
   * {@inheritdoc}
   */
  public static function create(ContainerInterface $container, array $configuration, $plugin_id, $plugin_definition): static {
    return new static($configuration, $plugin_id, $plugin_definition, $container->get('form_builder'));
  }

  /**
   * {@inheritdoc}
   */
  public function defaultConfiguration(): array {
    return [
      'pitch' => 'One email a month with our best stories. No spam, unsubscribe any time.',
      'compact' => FALSE,
    ];
  }

  /**
   * {@inheritdoc}
   */
  public function blockForm($form, FormStateInterface $form_state): array {
    $form['pitch'] = [
      '#type' => 'textarea',
      '#title' => $this->t('Pitch'),
      '#rows' => 2,
      '#default_value' => $this->configuration['pitch'],
    ];
    $form['compact'] = [
      '#type' => 'checkbox',
      '#title' => $this->t('Compact layout for sidebars'),
      '#default_value' => $this->configuration['compact'],
    ];
    return $form;
  }

  /**
   * {@inheritdoc}
   */
  public function blockSubmit($form, FormStateInterface $form_state): void {
    $this->configuration['pitch'] = trim($form_state->getValue('pitch'));
    $this->configuration['compact'] = (bool) $form_state->getValue('compact');
  }

  /**
   * {@inheritdoc}
   */
  public function build(): array {
    return [
      '#type' => 'component',
      '#component' => 'newsletter_hub:subscribe-panel',
      '#props' => [
        'heading' => $this->label(),
        'pitch' => $this->configuration['pitch'],
        'compact' => $this->configuration['compact'],
      ],
      '#slots' => [
        'form' => $this->formBuilder->getForm(SubscribeForm::class),
      ],
    ];
  }

}
