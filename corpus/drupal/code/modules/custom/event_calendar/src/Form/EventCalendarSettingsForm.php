<?php

declare(strict_types=1);

namespace Drupal\event_calendar\Form;

use Drupal\Core\Cache\CacheTagsInvalidatorInterface;
use Drupal\Core\Config\ConfigFactoryInterface;
use Drupal\Core\Config\TypedConfigManagerInterface;
use Drupal\Core\Entity\EntityFieldManagerInterface;
use Drupal\Core\Entity\EntityTypeBundleInfoInterface;
use Drupal\Core\Form\ConfigFormBase;
use Drupal\Core\Form\FormStateInterface;
use Symfony\Component\DependencyInjection\ContainerInterface;

/**
 * Configures which content holds events and how the calendar displays them.
 */
class EventCalendarSettingsForm extends ConfigFormBase {

  public function __construct(
    ConfigFactoryInterface $config_factory,
    TypedConfigManagerInterface $typed_config_manager,
    protected readonly EntityTypeBundleInfoInterface $bundleInfo,
    protected readonly EntityFieldManagerInterface $entityFieldManager,
    protected readonly CacheTagsInvalidatorInterface $cacheTagsInvalidator,
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
      $container->get('entity_type.bundle.info'),
      $container->get('entity_field.manager'),
      $container->get('cache_tags.invalidator'),
    );
  }

  /**
   * {@inheritdoc}
   */
  public function getFormId(): string {
    return 'event_calendar_settings';
  }

  /**
   * {@inheritdoc}
   */
  protected function getEditableConfigNames(): array {
    return ['event_calendar.settings'];
  }

  /**
   * {@inheritdoc}
   */
  public function buildForm(array $form, FormStateInterface $form_state): array {
    $bundles = array_map(
      static fn (array $info) => $info['label'],
      $this->bundleInfo->getBundleInfo('node'),
    );
    $form['bundle'] = [
      '#type' => 'select',
      '#title' => $this->t('Event content type'),
      '#options' => $bundles,
      '#config_target' => 'event_calendar.settings:bundle',
    ];
    $form['date_field'] = [
      '#type' => 'textfield',
      '#title' => $this->t('Date range field'),
      '#description' => $this->t('Machine name of a date range field on the event content type.'),
      '#config_target' => 'event_calendar.settings:date_field',
    ];
    $form['week_starts_on'] = [
      '#type' => 'select',
      '#title' => $this->t('First day of the week'),
      '#options' => [0 => $this->t('Sunday'), 1 => $this->t('Monday'), 6 => $this->t('Saturday')],
      '#config_target' => 'event_calendar.settings:week_starts_on',
    ];
    $form['archive_past_events'] = [
      '#type' => 'checkbox',
      '#title' => $this->t('Unpublish events once they are over'),
      '#config_target' => 'event_calendar.settings:archive_past_events',
    ];
    return parent::buildForm($form, $form_state);
  }

  /**
   * {@inheritdoc}
   */
  public function validateForm(array &$form, FormStateInterface $form_state): void {
    $bundle = $form_state->getValue('bundle');
    $field = $form_state->getValue('date_field');
    $definitions = $this->entityFieldManager->getFieldDefinitions('node', $bundle);
    if (!isset($definitions[$field]) || $definitions[$field]->getType() !== 'daterange') {
      $form_state->setErrorByName('date_field', $this->t('The %bundle content type has no date range field named %field.', [
        '%bundle' => $bundle,
        '%field' => $field,
      ]));
    }
    parent::validateForm($form, $form_state);
  }

  /**
   * {@inheritdoc}
   */
  public function submitForm(array &$form, FormStateInterface $form_state): void {
    parent::submitForm($form, $form_state);
    // The upcoming events block caches by the bundle's list tag.
    $this->cacheTagsInvalidator->invalidateTags(['node_list:' . $form_state->getValue('bundle')]);
  }

}
